" Vim syntax file
" Language:   dl, the language of dlc (a typed description of an AWS data lake)
" Filenames:  *.dl
" Source:     grammar/dl.pest is the reference; tests/highlighting.rs checks this
"             file against its keyword list and against the example lakes.

if exists('b:current_syntax')
  finish
endif

let s:cpo_save = &cpo
set cpo&vim

syn case match
" Names contain inner hyphens (`us-east-2`, `per-az`): one keyword each, so
" that `let` never matches inside `let-me`.
syn iskeyword @,48-57,_,-

" An identifier: a letter or `_`, then letters, digits, `_` and inner hyphens.
" Patterns below spell it out as \h\%(\w\|-\w\@=\)* and guard both ends with
" \%(\w\|-\)\@1<! and \%(\w\|-\)\@! instead of \< and \>.

" ------------------------------------------------------------------ names
" A bare name in value position: an enum variant (`us-east-2`, `glacier`) or
" a name declared with `let`; the two cannot be told apart without resolving.
syn match dlConstant     "\%(\w\|-\)\@1<!\h\%(\w\|-\w\@=\)*"
" Type names are capitalized: `Region`, `GitHub { ... }`, `type X = A | B`.
syn match dlType         "\%(\w\|-\)\@1<!\u\%(\w\|-\w\@=\)*"
" `Dev.network.cidr`
syn match dlPath         "\%(\w\|-\)\@1<!\h\%(\w\|-\w\@=\)*\%(\.\h\%(\w\|-\w\@=\)*\)\+"
" `name = value` in records, lake and env bodies.
syn match dlField        "\%(\w\|-\)\@1<!\h\%(\w\|-\w\@=\)*\ze\s*="
" `name: Type` in record declarations.
syn match dlFieldDecl    "\%(\w\|-\)\@1<!\h\%(\w\|-\w\@=\)*\ze\s*:"

" ------------------------------------------------------------------ keywords
syn keyword dlInclude     import nextgroup=dlModule skipwhite
syn keyword dlDeclaration lake nextgroup=dlLakeName skipwhite skipnl skipempty
syn keyword dlDeclaration env nextgroup=dlEnvName skipwhite skipnl skipempty
syn keyword dlDeclaration let nextgroup=dlLetName skipwhite skipnl skipempty
syn keyword dlTypedef     type record enum nextgroup=dlTypeName skipwhite skipnl skipempty
syn keyword dlExtends     extends nextgroup=dlEnvParent skipwhite skipnl skipempty
syn keyword dlRefinement  where length matches
syn keyword dlBoolean     true false
syn keyword dlBuiltinType String Int Bool Cidr Duration Map

syn match dlModule    contained "std\%(\.\h\%(\w\|-\w\@=\)*\)\+"
syn match dlLakeName  contained "\h\%(\w\|-\w\@=\)*"
syn match dlEnvName   contained "\h\%(\w\|-\w\@=\)*" nextgroup=dlExtends skipwhite skipnl skipempty
syn match dlEnvParent contained "\h\%(\w\|-\w\@=\)*"
syn match dlLetName   contained "\h\%(\w\|-\w\@=\)*"
syn match dlTypeName  contained "\h\%(\w\|-\w\@=\)*"

" `: Type` after a let name, a record field or an enum name: any name is a type.
syn region dlTypeAnnotation matchgroup=dlOperator start=":" end="\%([={},]\|//\)\@=" end="$" oneline contains=dlAnnotatedType,dlBuiltinType,dlTypeDelimiter,dlOptional
syn match dlAnnotatedType contained "\%(\w\|-\)\@1<!\h\%(\w\|-\w\@=\)*"
syn match dlTypeDelimiter contained "[\[\]]"
syn match dlOptional      contained "?"

" ------------------------------------------------------------------ literals
syn match dlNumber   "\%(\w\|-\)\@1<!-\=\d[0-9_]*\%(\w\|-\)\@!"
syn match dlDuration "\%(\w\|-\)\@1<!\d\+[dhms]\%(\w\|-\)\@!"
syn match dlCidr     "\%(\w\|-\)\@1<!\d\+\.\d\+\.\d\+\.\d\+/\d\+\%(\w\|-\)\@!"

syn region dlString start=+"+ skip=+\\\\\|\\"+ end=+"+ end=+$+ oneline contains=dlEscapeError,dlEscape,dlInterpolation,@Spell
syn match dlEscapeError contained "\\\%(u{[^}"]*}\=\|.\)\="
syn match dlEscape      contained +\\\%(["\\ntr$]\|u{\x\{1,6}}\)+
syn region dlInterpolation contained matchgroup=dlInterpolationDelimiter start="\${" end="}" end=+\ze"+ oneline contains=dlInterpolatedPath
syn match dlInterpolatedPath contained "\h\%(\w\|-\w\@=\)*\%(\s*\.\s*\h\%(\w\|-\w\@=\)*\)*"

" ------------------------------------------------------------------ punctuation
syn match dlOperator  "[=|?]"
syn match dlOperator  "\.\."
syn match dlDelimiter "[{}\[\],]"

" ------------------------------------------------------------------ comments
syn keyword dlTodo contained TODO FIXME XXX NOTE
" `//` and `////...` are comments; `///` is a doc comment on the next item.
syn match dlComment    "//.*$" contains=dlTodo,@Spell
syn match dlDocComment "///\%(/\)\@!.*$" contains=dlTodo,@Spell

" ------------------------------------------------------------------ colours
hi def link dlComment                Comment
hi def link dlDocComment             SpecialComment
hi def link dlTodo                   Todo
hi def link dlInclude                Include
hi def link dlDeclaration            Keyword
hi def link dlTypedef                Structure
hi def link dlExtends                Keyword
hi def link dlRefinement             Keyword
hi def link dlBoolean                Boolean
hi def link dlBuiltinType            Type
hi def link dlType                   Type
hi def link dlAnnotatedType          Type
hi def link dlTypeName               Type
hi def link dlTypeDelimiter          Delimiter
hi def link dlOptional               Operator
hi def link dlModule                 Identifier
hi def link dlLakeName               Identifier
hi def link dlEnvName                Identifier
hi def link dlEnvParent              Identifier
hi def link dlLetName                Identifier
hi def link dlField                  Identifier
hi def link dlFieldDecl              Identifier
hi def link dlPath                   Identifier
hi def link dlConstant               Constant
hi def link dlNumber                 Number
hi def link dlDuration               Number
hi def link dlCidr                   Number
hi def link dlString                 String
hi def link dlEscape                 SpecialChar
hi def link dlEscapeError            Error
hi def link dlInterpolationDelimiter Special
hi def link dlInterpolatedPath       Identifier
hi def link dlOperator               Operator
hi def link dlDelimiter              Delimiter

let b:current_syntax = 'dl'

let &cpo = s:cpo_save
unlet s:cpo_save

" Headless check of editors/vim, run by tests/highlighting.rs:
"
"   DL_VIM_CONFIG=config.json vim -Nu NONE -i NONE -n -Es -S editors/tests/vim/check.vim
"
" config.json: {"runtime": "editors/vim", "files": [...], "keywords": [...], "out": "result.txt"}.
" Every file must get its filetype, syntax and settings from ftdetect/, syntax/
" and ftplugin/, every identifier-like word a syntax group, every keyword a
" keyword group, and a few known tokens their intended group. Problems are
" written to `out`, one a line, after a first line `checked N words in M files`.

let s:config = json_decode(join(readfile($DL_VIM_CONFIG), "\n"))
let s:errors = []
let s:words = 0
let s:seen_keywords = {}
let s:ident = '\%(\w\|-\)\@1<!\h\%(\w\|-\w\@=\)*'
let s:keyword_groups = ['Keyword', 'Structure', 'Include', 'Boolean', 'Statement']
let s:quiet_groups = ['Comment', 'SpecialComment', 'String', 'Todo']

" The syntax group at a position, then the groups it links to, in order:
" ['dlCidr', 'Number', 'Constant']. Empty when nothing is highlighted there.
function! s:Groups(lnum, col) abort
  let name = synIDattr(synID(a:lnum, a:col, 1), 'name')
  let chain = name ==# '' ? [] : [name]
  while len(chain) > 0 && len(chain) < 10
    let target = matchstr(execute('highlight ' . chain[-1]), 'links to \zs\w\+')
    if target ==# ''
      break
    endif
    call add(chain, target)
  endwhile
  return chain
endfunction

function! s:Any(chain, groups) abort
  return len(filter(copy(a:chain), 'index(a:groups, v:val) >= 0')) > 0
endfunction

" The group of the first match of `pattern` in the current buffer.
function! s:Expect(pattern, group) abort
  call cursor(1, 1)
  let [lnum, col] = searchpos(a:pattern, 'cW')
  if lnum == 0
    call add(s:errors, expand('%') . ': no match for ' . a:pattern)
    return
  endif
  let chain = s:Groups(lnum, col)
  if index(chain, a:group) < 0
    call add(s:errors, printf('%s:%d:%d: %s is %s, expected %s',
          \ expand('%'), lnum, col, a:pattern, join(chain, ' -> '), a:group))
  endif
endfunction

function! s:CheckBuffer() abort
  let file = expand('%')
  if &filetype !=# 'dl'
    call add(s:errors, file . ': filetype is "' . &filetype . '", expected "dl" (ftdetect/dl.vim)')
    return
  endif
  if get(b:, 'current_syntax', '') !=# 'dl'
    call add(s:errors, file . ': syntax/dl.vim was not loaded')
    return
  endif
  if &commentstring !=# '// %s'
    call add(s:errors, file . ': commentstring is "' . &commentstring . '" (ftplugin/dl.vim)')
  endif
  for lnum in range(1, line('$'))
    let line = getline(lnum)
    let start = 0
    while 1
      let [word, first, end] = matchstrpos(line, s:ident, start)
      if first < 0
        break
      endif
      let s:words += 1
      let chain = s:Groups(lnum, first + 1)
      if empty(chain)
        call add(s:errors, printf('%s:%d:%d: "%s" has no syntax group', file, lnum, first + 1, word))
      elseif index(s:config.keywords, word) >= 0 && !s:Any(chain, s:quiet_groups)
        if s:Any(chain, s:keyword_groups)
          let s:seen_keywords[word] = 1
        else
          call add(s:errors, printf('%s:%d:%d: keyword "%s" is %s', file, lnum, first + 1, word, join(chain, ' -> ')))
        endif
      endif
      let start = end
    endwhile
  endfor
endfunction

try
  if !has('syntax')
    throw 'this Vim has no +syntax feature: install a full Vim (Debian: apt-get install vim)'
  endif
  execute 'set runtimepath^=' . fnameescape(s:config.runtime)
  filetype plugin on
  syntax on
  for s:file in s:config.files
    execute 'edit ' . fnameescape(s:file)
    call s:CheckBuffer()
    let s:name = fnamemodify(s:file, ':t')
    if s:file =~# 'seed[/\\]lake\.dl$'
      call s:Expect('10\.20\.0\.0/24', 'dlCidr')
      call s:Expect('10\.20\.0\.0/24', 'Number')
      call s:Expect('\<60d\>', 'dlDuration')
      call s:Expect('^///', 'SpecialComment')
      call s:Expect('^// The data', 'Comment')
      call s:Expect('= \zsus-east-2', 'Constant')
      call s:Expect('= \zsglacier', 'Constant')
      call s:Expect('^let \zshome', 'Identifier')
      call s:Expect(': \zsRegion', 'Type')
      call s:Expect('^lake', 'Keyword')
      call s:Expect('lake \zsDataLake', 'dlLakeName')
      call s:Expect('extends \zsDev', 'dlEnvParent')
      call s:Expect('logical_id_prefix', 'dlField')
      call s:Expect('cost-center', 'dlField')
      call s:Expect('\<GitHubConnection\>', 'Type')
      call s:Expect('\<true\>', 'Boolean')
      call s:Expect('"DataLakeCDKBlog"', 'String')
      call s:Expect('{', 'Delimiter')
    elseif s:name ==# 'tour.dl'
      call s:Expect('^////', 'Comment')
      call s:Expect('std\.presets', 'dlModule')
      call s:Expect('\${', 'Special')
      call s:Expect('\${\zsDev', 'Identifier')
      call s:Expect('\${ \zshome', 'Identifier')
      call s:Expect('\\t', 'SpecialChar')
      call s:Expect('\\u{1F600}', 'SpecialChar')
      call s:Expect('\<Map\>', 'Type')
      call s:Expect('^type \zsPort', 'dlTypeName')
      call s:Expect('^record', 'Structure')
      call s:Expect('port\ze:', 'dlFieldDecl')
      call s:Expect(': \zsPort', 'Type')
      call s:Expect('\<bronze\>', 'Constant')
      call s:Expect('\<gold-plus\>', 'Constant')
      call s:Expect('-3\>', 'Number')
      call s:Expect('65_535', 'Number')
      call s:Expect('\.\.', 'Operator')
      call s:Expect('\<12h\>', 'dlDuration')
      call s:Expect('= \zsDev\.network\.cidr', 'dlPath')
      call s:Expect('extends \zsDev', 'dlEnvParent')
    endif
  endfor
  for s:keyword in s:config.keywords
    if !has_key(s:seen_keywords, s:keyword)
      call add(s:errors, 'keyword "' . s:keyword . '" is never highlighted as a keyword in the checked files')
    endif
  endfor
catch
  call add(s:errors, 'Vim error: ' . v:exception . ' at ' . v:throwpoint)
endtry

call writefile([printf('checked %d words in %d files', s:words, len(s:config.files))] + s:errors, s:config.out)
qall!

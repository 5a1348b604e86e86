" Vim filetype plugin for dl, the language of dlc (AWS data lakes).

if exists('b:did_ftplugin')
  finish
endif
let b:did_ftplugin = 1

" `///` doc comments continue as `///`, `//` comments as `//`.
setlocal comments=:///,:// commentstring=//\ %s
setlocal formatoptions-=t formatoptions+=croql
" Names contain inner hyphens: `us-east-2` and `per-az` are one word.
setlocal iskeyword=@,48-57,_,-

let b:undo_ftplugin = 'setlocal comments< commentstring< formatoptions< iskeyword<'

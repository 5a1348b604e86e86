" dl, the language of dlc (AWS data lakes): `*.dl` files.
" `set filetype`, not `setfiletype`: a later Vim that maps `*.dl` to another
" language must not win over this plugin.
autocmd BufNewFile,BufRead *.dl set filetype=dl

# hash comment
a = 1 # trailing hash
// slash comment
b = 2 // trailing slash
/* block
   comment */
c = /* inline */ 3

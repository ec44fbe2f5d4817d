arith   = 1 + 2 * 3 - 4 / 2 % 3
compare = a > 1 && b >= 2 || c < 3 && d <= 4
equal   = x == y != z
unary   = !a && -b < 0
paren   = (1 + 2) * 3
cond    = a ? b : c ? d : e
mixed   = x == null ? "none" : "${x}"

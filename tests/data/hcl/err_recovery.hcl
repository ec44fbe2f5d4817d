r "a" {
  x = [1,
  y = 2
}
r "b" {
  z = = 3
}
ok = true
@

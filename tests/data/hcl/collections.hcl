empty_tuple  = []
tuple        = [1, "two", three, [4]]
trailing     = [1, 2,]
multiline    = [
  1,
  2
]
empty_object = {}
object = {
  bare    = 1
  "quoted" = 2
  colon   : 3
  (paren) = 4
  "${k}"  = 5
}
oneline = { a = 1, b = 2 }

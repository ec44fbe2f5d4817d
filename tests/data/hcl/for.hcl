list    = [for x in var.xs : upper(x)]
keyed   = [for i, x in var.xs : "${i}:${x}" if i > 0]
object  = {for k, v in var.m : k => v}
grouped = {for u in var.users : u.role => u.name... if u.active}
nested  = [for a in x : [for b in a : b]]

simple   = upper("x")
none     = timestamp()
nested   = merge(local.a, { b = 1 }, lookup(var.m, "k", null))
expand   = concat(var.lists...)
provider = provider::aws::arn_parse("arn:aws:s3:::b")
multi    = format(
  "%s-%s",
  var.a,
  var.b,
)

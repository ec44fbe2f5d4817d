attr     = aws_instance.web.id
index    = var.list[0]
key      = var.map["key"]
legacy   = aws_instance.web.0.id
splat    = aws_instance.web.*.id
full     = aws_instance.web[*].tags["Name"]
chain    = module.vpc.subnets[count.index].cidr
call_idx = split(",", var.s)[1]

a = cond ? 1

db_password = "tfvars-literal-value" # expect: tf/secret-literal-argument gatehouse:allow
region      = "eu-west-1"

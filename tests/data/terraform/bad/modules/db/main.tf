# A local module: its password input is traced back to the root variable.
variable "password" { # expect: tf/sensitive-variable-not-marked gatehouse:allow
  type = string
}

resource "aws_db_instance" "this" { # expect: tf/rds-storage-not-encrypted tf/rds-no-deletion-protection
  engine                  = "postgres"
  instance_class          = "db.t3.micro"
  username                = "app"
  password                = var.password # expect: tf/db-password-from-variable
  backup_retention_period = 1            # expect: tf/rds-backup-retention
  publicly_accessible     = true         # expect: tf/rds-publicly-accessible
}

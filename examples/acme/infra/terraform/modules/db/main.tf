variable "name" {
  type = string
}

variable "master_password" {
  type = string
}

resource "aws_db_instance" "this" {
  identifier              = var.name
  engine                  = "postgres"
  engine_version          = "16.3"
  instance_class          = "db.t4g.medium"
  allocated_storage       = 50
  username                = "orders_admin"
  password                = var.master_password
  backup_retention_period = 7
  storage_encrypted       = true
  deletion_protection     = true
}

variable "name" {
  type = string
}

variable "master_password" {
  type = string
}

resource "aws_db_instance" "this" {
  identifier        = var.name
  engine            = "postgres"
  instance_class    = "db.t3.medium"
  storage_encrypted = true
  password          = var.master_password
}

variable "name" {
  type = string
}

variable "master_password" {
  type      = string
  sensitive = true
}

variable "kms_key_arn" {
  type = string
}

resource "aws_rds_cluster" "this" {
  cluster_identifier      = var.name
  engine                  = "aurora-postgresql"
  master_username         = "app"
  master_password         = var.master_password
  storage_encrypted       = true
  kms_key_id              = var.kms_key_arn
  deletion_protection     = true
  backup_retention_period = 14
}

resource "aws_rds_cluster_instance" "this" {
  count               = 2
  cluster_identifier  = aws_rds_cluster.this.id
  instance_class      = "db.r6g.large"
  engine              = "aurora-postgresql"
  publicly_accessible = false
}

resource "aws_db_instance" "reporting" {
  identifier                  = "${var.name}-reporting"
  engine                      = "postgres"
  instance_class              = "db.t4g.medium"
  username                    = "report"
  manage_master_user_password = true
  storage_encrypted           = true
  deletion_protection         = true
  backup_retention_period     = 7
  publicly_accessible         = false
}

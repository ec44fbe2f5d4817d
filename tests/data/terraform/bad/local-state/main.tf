terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
}

provider "aws" { # expect: tf/no-remote-backend
  region = "us-east-1"
}

resource "aws_rds_cluster" "c" { # expect: tf/rds-storage-not-encrypted tf/rds-backup-retention
  engine              = "aurora-postgresql"
  deletion_protection = false # expect: tf/rds-no-deletion-protection
  master_username     = "app"
  master_password     = "literal-password-here" # expect: tf/secret-literal-argument gatehouse:allow
}

module "rds" {
  source          = "terraform-aws-modules/rds/aws"
  version         = "6.10.0"
  master_password = var.master_password # expect: tf/db-password-from-variable
}

variable "master_password" {
  type      = string
  sensitive = true
}

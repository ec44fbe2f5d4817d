terraform {
  required_version = ">= 1.6"
  backend "s3" {
    bucket = "acme-terraform-state"
    key    = "prod/orders.tfstate"
    region = "eu-west-1"
  }
}

variable "db_password" {
  description = "Master password of the orders database"
  type        = string
}

module "db" {
  source          = "./modules/db"
  name            = "orders"
  master_password = var.db_password
}

terraform {
  required_version = ">= 1.6"
  backend "s3" {
    bucket = "acme-tfstate"
    key    = "platform/terraform.tfstate"
    region = "eu-west-1"
  }
}

variable "db_password" {
  description = "Master password for the orders database"
  type        = string
  default     = "__PLANT_TF_PASSWORD__"
}

module "orders_db" {
  source          = "./modules/db"
  name            = "orders"
  master_password = var.db_password
}

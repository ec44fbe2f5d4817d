variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "environment" {
  type    = string
  default = "prod"
}

variable "vpc_id" {
  type = string
}

variable "tags" {
  type    = map(string)
  default = {}
}

variable "api_token" {
  description = "Passed by CI from the secret store; never defaulted."
  type        = string
  sensitive   = true
}

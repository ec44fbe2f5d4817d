variable "db_password" {
  default = "abc"
}
resource "x" "y" {
  master_password = "zzz"
}

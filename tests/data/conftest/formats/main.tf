resource "aws_s3_bucket" "logs" {
  bucket = "demo-logs"
  acl    = "public-read"
}

resource "aws_s3_bucket" "data" {
  bucket = "demo-data"
  acl    = "private"
}

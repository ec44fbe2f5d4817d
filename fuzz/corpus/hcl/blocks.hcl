terraform {
  required_version = ">= 1.6"
}

resource "aws_s3_bucket" "b" {
  bucket = "x"

  versioning {
    enabled = true
  }
}

provider aws {
  region = "us-east-1"
}

oneline { a = 1 }
empty {}
labels "one" two "three" {}

# Deliberately insecure root module. Each `# expect:` comment lists the rules
# that must fire on that line; `# expect-next:` those of the next line. The
# test fails on any finding not listed here and on any listed one missing.
terraform { # expect: tf/missing-required-version
  backend "s3" { # expect: tf/backend-no-locking
    bucket = "state"
    key    = "prod.tfstate"
    region = "eu-west-1"
  }
  required_providers { # expect: tf/provider-not-pinned
    aws = {
      source = "hashicorp/aws"
    }
  }
}

provider "aws" {
  region     = "eu-west-1"
  access_key = "placeholder-access-key-value" # expect: tf/provider-credentials gatehouse:allow
}

variable "db_password" { # expect: tf/sensitive-variable-not-marked gatehouse:allow
  type    = string
  default = "changeme-in-prod" # expect: tf/secret-variable-default gatehouse:allow
}

module "db" {
  source   = "./../modules/db"
  password = var.db_password
}

resource "aws_s3_bucket" "logs" { # expect: tf/s3-no-public-access-block tf/s3-no-encryption tf/s3-no-versioning
  bucket = "acme-logs"
  acl    = "public-read" # expect: tf/s3-public-acl
}

resource "aws_s3_bucket_policy" "logs" {
  bucket = aws_s3_bucket.logs.id
  policy = jsonencode({ # expect: tf/s3-public-policy
    Version = "2012-10-17"
    Statement = [{
      Effect    = "Allow"
      Principal = "*"
      Action    = "s3:GetObject"
      Resource  = "${aws_s3_bucket.logs.arn}/*"
    }]
  })
}

resource "aws_security_group" "web" {
  name = "web"
  ingress {
    from_port   = 22
    to_port     = 22
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"] # expect: tf/sg-open-ingress
  }
  ingress {
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_security_group_rule" "all" {
  type              = "ingress"
  from_port         = 0
  to_port           = 0
  protocol          = "-1"
  ipv6_cidr_blocks  = ["::/0"] # expect: tf/sg-open-ingress
  security_group_id = aws_security_group.web.id
}

resource "aws_vpc_security_group_ingress_rule" "pg" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "0.0.0.0/0" # expect: tf/sg-open-ingress
  from_port         = 5432
  ip_protocol       = "tcp"
  to_port           = 5432
}

locals {
  admin_actions = ["*"]
  everything    = local.admin_actions[0]
}

resource "aws_iam_policy" "admin" {
  name = "admin"
  policy = jsonencode({ # expect: tf/iam-wildcard-policy
    Version   = "2012-10-17"
    Statement = [{ Effect = "Allow", Action = local.admin_actions, Resource = local.everything }]
  })
}

resource "aws_iam_role_policy" "heredoc" {
  role = "r"
  # expect-next: tf/iam-wildcard-policy
  policy = <<-EOF
    {
      "Version": "2012-10-17",
      "Statement": [{"Effect": "Allow", "Action": "*", "Resource": "*"}],
      "Id": "${aws_s3_bucket.logs.id}"
    }
  EOF
}

data "aws_iam_policy_document" "all" {
  statement { # expect: tf/iam-wildcard-policy
    actions   = ["*"]
    resources = ["*"]
  }
}

resource "aws_kms_key" "k" { # expect: tf/kms-no-rotation
  description = "k"
}

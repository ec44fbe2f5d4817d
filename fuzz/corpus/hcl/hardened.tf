# A hardened environment: every check of docs/terraform.md passes, so the
# analyzer must report nothing at all here (TerraformHardened test).
terraform {
  required_version = "~> 1.9"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.70"
    }
  }
  backend "s3" {
    bucket       = "acme-terraform-state"
    key          = "prod/platform.tfstate"
    region       = "eu-west-1"
    encrypt      = true
    use_lockfile = true
  }
}

provider "aws" {
  region = var.region
}

locals {
  name = "acme-${var.environment}"
  tags = merge(var.tags, { Environment = var.environment })
}

data "aws_secretsmanager_secret_version" "db" {
  secret_id = "${local.name}/db/master"
}

module "db" {
  source          = "./modules/db"
  name            = local.name
  master_password = data.aws_secretsmanager_secret_version.db.secret_string
  kms_key_arn     = aws_kms_key.data.arn
}

resource "aws_kms_key" "data" {
  description         = "${local.name} data"
  enable_key_rotation = true
  tags                = local.tags
}

resource "aws_s3_bucket" "artifacts" {
  bucket = "${local.name}-artifacts"
  tags   = local.tags
}

resource "aws_s3_bucket_public_access_block" "artifacts" {
  bucket                  = aws_s3_bucket.artifacts.id
  block_public_acls       = true
  block_public_policy     = true
  ignore_public_acls      = true
  restrict_public_buckets = true
}

resource "aws_s3_bucket_server_side_encryption_configuration" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  rule {
    apply_server_side_encryption_by_default {
      sse_algorithm     = "aws:kms"
      kms_master_key_id = aws_kms_key.data.arn
    }
  }
}

resource "aws_s3_bucket_versioning" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  versioning_configuration {
    status = "Enabled"
  }
}

resource "aws_s3_bucket_policy" "artifacts" {
  bucket = aws_s3_bucket.artifacts.id
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [{
      Sid       = "DenyInsecureTransport"
      Effect    = "Deny"
      Principal = "*"
      Action    = "s3:*"
      Resource  = ["${aws_s3_bucket.artifacts.arn}", "${aws_s3_bucket.artifacts.arn}/*"]
      Condition = { Bool = { "aws:SecureTransport" = "false" } }
    }]
  })
}

resource "aws_security_group" "web" {
  name   = "${local.name}-web"
  vpc_id = var.vpc_id
  ingress {
    description = "HTTPS"
    from_port   = 443
    to_port     = 443
    protocol    = "tcp"
    cidr_blocks = ["0.0.0.0/0"]
  }
  egress {
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_vpc_security_group_ingress_rule" "ssh_from_vpn" {
  security_group_id = aws_security_group.web.id
  cidr_ipv4         = "10.20.0.0/16"
  from_port         = 22
  to_port           = 22
  ip_protocol       = "tcp"
}

data "aws_iam_policy_document" "deploy" {
  statement {
    actions   = ["s3:PutObject", "s3:GetObject"]
    resources = ["${aws_s3_bucket.artifacts.arn}/*"]
  }
}

resource "aws_iam_policy" "deploy" {
  name   = "${local.name}-deploy"
  policy = data.aws_iam_policy_document.deploy.json
}

resource "aws_iam_role_policy" "read_logs" {
  role = "deploy"
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [for a in ["logs:GetLogEvents", "logs:DescribeLogStreams"] : {
      Effect   = "Allow"
      Action   = a
      Resource = "*"
    }]
  })
}

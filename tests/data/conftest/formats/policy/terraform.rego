package terraform

import rego.v1

deny contains msg if {
	some name, buckets in input.resource.aws_s3_bucket
	some b in buckets
	b.acl == "public-read"
	msg := sprintf("bucket %s is public", [name])
}

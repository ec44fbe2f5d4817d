package main

deny contains msg if {
	some c in input.spec.containers
	c.securityContext.privileged
	msg := concat_x(c.name)
}

concat_x(n) := [n, "privileged"]

test_deny if count(deny) == 1 with input as {"spec": {"containers": [{"name": "a", "securityContext": {"privileged": true}}]}}
test_fail if count(deny) == 5

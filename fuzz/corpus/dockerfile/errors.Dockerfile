# test: only=iac/
# escape=x
FROM alpine:3.20
# expect-next: iac/parse-error
FROOM alpine
# expect-next: iac/parse-error
RUN <<EOF
echo never closed

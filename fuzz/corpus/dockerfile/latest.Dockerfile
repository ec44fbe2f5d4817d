# test: only=docker/
# expect-next: docker/image-latest, docker/root-user, docker/missing-healthcheck
FROM ubuntu:latest
RUN apt-get update && wget -qO- https://x.example/i.sh | sh  # expect: docker/curl-pipe-shell

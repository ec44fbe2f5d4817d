#!/bin/sh
# Posts a deploy notification.
curl -X POST -H 'Content-type: application/json' \
  --data "{\"text\":\"deployed $1\"}" \
  "__PLANT_SLACK_WEBHOOK__"

plain = <<EOT
line one
  ${indented} two
EOT
flush = <<-EOT
    first
      second ${x}

    third
    EOT
directive = <<EOT
%{ for s in list ~}
- ${s}
%{ endfor ~}
EOT
json = <<JSON
{"a": "$${not}"}
JSON

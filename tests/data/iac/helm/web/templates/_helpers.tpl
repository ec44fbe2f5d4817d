{{- define "web.labels" -}}
app.kubernetes.io/name: {{ .Chart.Name }}
{{- end }}

{{/*
Names and labels shared by every template.
*/}}

{{/* The chart's name, or nameOverride. */}}
{{- define "gluster-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
The objects' name: fullnameOverride; else the release name when it already holds the chart's
name (so `helm install gluster-operator` names everything gluster-operator, as deploy/ does);
else <release>-<name>. Cut to 52 characters so that suffixes such as -leader-election and
-metrics-reader keep every name within 63.
*/}}
{{- define "gluster-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- $name := include "gluster-operator.name" . }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 52 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "gluster-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* The labels that select the operator's pods (Deployment, PDB, Service, monitors, policy). */}}
{{- define "gluster-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "gluster-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: operator
{{- end }}

{{/* Every object's labels. */}}
{{- define "gluster-operator.labels" -}}
helm.sh/chart: {{ include "gluster-operator.chart" . }}
app.kubernetes.io/name: {{ include "gluster-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: gluster-operator
{{- end }}

{{- define "gluster-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "gluster-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- required "serviceAccount.name is required when serviceAccount.create is false" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "gluster-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "gluster-operator.leaseName" -}}
{{- default (printf "%s-leader" (include "gluster-operator.fullname" .)) .Values.leaderElection.leaseName }}
{{- end }}

{{/* HTTP_AUTH, checked: kubernetes or none. */}}
{{- define "gluster-operator.metricsAuth" -}}
{{- if not (has .Values.metrics.auth (list "kubernetes" "none")) }}
{{- fail (printf "metrics.auth must be kubernetes or none, not %v" .Values.metrics.auth) }}
{{- end }}
{{- .Values.metrics.auth }}
{{- end }}

{{/* EVENTS_KEY_SECRET: events.keySecret, or <full name>-events (gluster-operator-events as deploy/). */}}
{{- define "gluster-operator.eventsKeySecret" -}}
{{- default (printf "%s-events" (include "gluster-operator.fullname" .)) .Values.events.keySecret }}
{{- end }}

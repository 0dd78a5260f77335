{{/* Chart name, overridable. */}}
{{- define "finetune-operator.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Prefix of every object name: the release name, plus the chart name unless the release already holds it. */}}
{{- define "finetune-operator.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "finetune-operator.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Labels that select the operator pods; never change them after the first release (selectors are immutable). */}}
{{- define "finetune-operator.selectorLabels" -}}
app.kubernetes.io/name: {{ include "finetune-operator.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end }}

{{/* Labels of every object of the release; each object adds its app.kubernetes.io/component. */}}
{{- define "finetune-operator.commonLabels" -}}
helm.sh/chart: {{ include "finetune-operator.chart" . }}
{{ include "finetune-operator.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/part-of: finetune-operator
app.kubernetes.io/managed-by: {{ .Release.Service }}
{{- end }}

{{- define "finetune-operator.labels" -}}
{{ include "finetune-operator.commonLabels" . }}
app.kubernetes.io/component: operator
{{- end }}

{{- define "finetune-operator.serviceAccountName" -}}
{{- if .Values.serviceAccount.create }}
{{- default (include "finetune-operator.fullname" .) .Values.serviceAccount.name }}
{{- else }}
{{- default "default" .Values.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "finetune-operator.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "finetune-operator.trainerImage" -}}
{{- $tag := .Values.trainer.image.tag | default (printf "%s-%s" .Chart.AppVersion .Values.trainer.image.flavor) }}
{{- printf "%s:%s" .Values.trainer.image.repository $tag }}
{{- end }}

{{/* Leader election is needed as soon as two replicas could reconcile the same FineTuneJob. */}}
{{- define "finetune-operator.leaderElection" -}}
{{- if or .Values.leaderElection.enabled (gt (int .Values.replicaCount) 1) }}true{{ else }}false{{ end }}
{{- end }}

{{- define "finetune-operator.leaseNamespace" -}}
{{- default .Release.Namespace .Values.leaderElection.namespace }}
{{- end }}

{{/*
The operator's Kubernetes API use, and nothing more (OperatorApiUseTest records it on a mock API server):
it watches FineTuneJobs and merge-patches their status; it creates and, when they drift, replaces (PUT) the
Job, ConfigMap, Service and PVC it makes per FineTuneJob, and deletes nothing: the garbage collector deletes
the owned ones through owner references (without blockOwnerDeletion, so no finalizers access), and the PVC,
which holds the trained model, only when its job's storage.retentionPolicy.whenDeleted is Delete; it watches the training pods, reads a token Secret by name (it never lists Secrets),
and creates Events.
*/}}
{{- define "finetune-operator.rules" -}}
- apiGroups: ["finetune.dev"]
  resources: ["finetunejobs"]
  verbs: ["list", "watch"]
- apiGroups: ["finetune.dev"]
  resources: ["finetunejobs/status"]
  verbs: ["patch"]
- apiGroups: ["batch"]
  resources: ["jobs"]
  # patch: spec.suspend only (a JSON merge patch); a Job is never replaced.
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["pods"]
  verbs: ["list", "watch"]
- apiGroups: [""]
  resources: ["configmaps"]
  verbs: ["list", "watch", "create", "update"]
- apiGroups: [""]
  resources: ["services"]
  # patch: a merge patch of the fields the operator sets (a replace would drop the allocated clusterIP).
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["persistentvolumeclaims"]
  verbs: ["list", "watch", "create", "patch"]
- apiGroups: [""]
  resources: ["secrets"]
  verbs: ["get"]
- apiGroups: [""]
  resources: ["events"]
  verbs: ["create"]
{{- end }}

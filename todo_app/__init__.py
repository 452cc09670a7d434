"""Todo on Kubernetes: a multi-user todo application in pure Python."""

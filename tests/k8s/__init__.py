"""Offline proofs of the Kubernetes manifests, the images' recipes and the nginx config."""

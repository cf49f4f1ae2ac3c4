"""Supply chain: SBOM validation, signing and verification, and the artifact registry."""

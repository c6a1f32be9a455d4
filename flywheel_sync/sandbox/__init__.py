"""The sandbox: emulators of the Jira, Confluence, Graph and Dataverse APIs on 127.0.0.1."""

"""Dataverse Web API for Project: msdyn_* tables over OData and the Project Schedule API."""

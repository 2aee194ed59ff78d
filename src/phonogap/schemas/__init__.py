"""Pydantic output documents stored in the JobStore, and the extended-XYZ key names.

Science layer, the lowest package: it imports no other phonogap package.
"""

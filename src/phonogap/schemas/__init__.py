"""Science layer: pydantic output documents and the extended-XYZ key names.

Science layer, the lowest package: it imports no other phonogap package.
"""

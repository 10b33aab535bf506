"""Reference data written by hand from vendor documents and other projects' drivers."""

"""Issue forms generated from the catalogue, and the parser of their answers. Imports config and model.
"""

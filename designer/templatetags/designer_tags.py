"""`{% thumbnail design %}`: the inline SVG picture of a design (see designer/thumbnails.py)."""

from django import template

from designer.thumbnails import thumbnail_svg

register = template.Library()


@register.simple_tag
def thumbnail(design):
    return thumbnail_svg(design.document, title=design.name)

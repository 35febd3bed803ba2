"""The public-relations guideline (pedoman kehumasan) as an office applies it: the text engine's
rules with an office's own additions, the findings explained and marked, and who may go on with
a reason. Posts (publishing) and portal articles (portal) both ask it."""

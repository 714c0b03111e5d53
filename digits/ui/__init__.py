"""What the pages show: Streamlit building blocks and the pure pieces they lay out.

widgets       -- Streamlit building blocks shared by the pages (cached models, results, sidebar).
charts        -- Altair charts and enlarged pictures: pure functions, testable without Streamlit.
canvas_fix    -- keeps the drawable canvas's toolbar off the drawing surface.
gallery       -- the non-digit page's photos (through :mod:`digits.datasets.photos`).
score_samples -- the score samples behind the non-digit page's chart, tied to the model.
wording       -- captions, the verdict in words, and the commands the pages name.
"""

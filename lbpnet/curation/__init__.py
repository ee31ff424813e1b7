"""Curation with an expert in the loop (DESIGN step 9): novelty scores of windows, a review
queue, a versioned label store and active learning. Imports tasks/models/windows/explain,
never reports or cli."""

// name: stage-category-matrix
// title: Stage by category
// description: Challenges per workflow stage and category, with the participant quotes behind them (by any coder): the cells of the stage-by-category heat map (StageCategory, stored by the build: graph/aggregates.py).
// param: study STUDY = all  Only this study's rows (its id or title), or all
// returns: position, stage, category, challenges, quotes, study
MATCH (x:StageCategory)
WHERE $study = '' OR x.study = $study
MATCH (s:Stage {id: x.stage})
RETURN s.position AS position, s.name AS stage, x.category AS category,
       x.challenges AS challenges, x.quotes AS quotes, x.study AS study
ORDER BY study, position, category

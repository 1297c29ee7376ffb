-- After the opt-in drop: "user".image is gone, its values are kept for the down.
SELECT '"user".image is dropped' AS "check",
       NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema()
                      AND table_name = 'user' AND column_name = 'image') AS ok
UNION ALL
SELECT 'user_image_dropped keeps its values', to_regclass('user_image_dropped') IS NOT NULL;

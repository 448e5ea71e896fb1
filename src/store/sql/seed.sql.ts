/** The seed's result tables, written for tasks that came through its record_execution intake. */

/** $1 dataset_id, $2 execution_id, $3 record_id, $4 execution_name, $5 exception name, $6 exception content. */
export const insertException = `INSERT INTO record_execution_exception (dataset_id, execution_id, record_id, execution_name, exception_name, exception_content)
  VALUES ($1, $2, $3, $4, $5, $6) ON CONFLICT DO NOTHING`;

/** $1 dataset_id, $2 execution_id, $3 record_id, $4 the record's content, $5 execution_name. */
export const insertResult = `INSERT INTO record_execution_result (dataset_id, execution_id, record_id, record_result_data, execution_name)
  VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING`;

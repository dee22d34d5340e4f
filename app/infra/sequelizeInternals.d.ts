// Sequelize ships types for these modules under types/, which node10 resolution does not map
// from lib/ (the package's exports field does, for newer resolutions).
declare module 'sequelize/lib/sql-string' {
  export * from 'sequelize/types/sql-string';
}
declare module 'sequelize/lib/utils/sql' {
  export * from 'sequelize/types/utils/sql';
}

import { describe, expect, it } from "vitest";
import { formatRoutes, sortRoutes } from "./routes.js";

describe("the routes table", () => {
  const listing = [
    { methods: ["POST", "GET"], path: "/todos/", endpoint: "Todos.list", decorators: ["auth.loginRequired"] },
    { methods: ["GET"], path: "/", endpoint: "index", decorators: [] },
    { methods: ["DELETE"], path: "/todos/<int:id>", endpoint: "Todos.remove", decorators: ["a.b", "c.d"] },
    { methods: ["GET"], path: "/todos/<int:id>", endpoint: "Todos.show" },
  ];

  it("is sorted by path, then by method, with methods in the usual order", () => {
    expect(sortRoutes(listing).map((r) => `${r.methods.join(",")} ${r.path}`)).toEqual([
      "GET /",
      "GET,POST /todos/",
      "GET /todos/<int:id>",
      "DELETE /todos/<int:id>",
    ]);
  });

  it("prints aligned columns, a dash for no decorators", () => {
    expect(formatRoutes(sortRoutes(listing))).toBe(
      [
        "METHODS    PATH             ENDPOINT      DECORATORS",
        "GET        /                index         -",
        "GET, POST  /todos/          Todos.list    auth.loginRequired",
        "GET        /todos/<int:id>  Todos.show    -",
        "DELETE     /todos/<int:id>  Todos.remove  a.b, c.d",
      ].join("\n"),
    );
    expect(formatRoutes([])).toBe("The app has no routes.");
  });

  it("shows <anonymous> for a function route without a name, keeping its urlFor key in the row", () => {
    const rows = sortRoutes([
      { methods: ["GET"], path: "/x", endpoint: "/x", decorators: [], anonymous: true },
    ]);
    expect(rows).toEqual([{ methods: ["GET"], path: "/x", endpoint: "/x", decorators: [], anonymous: true }]);
    expect(formatRoutes(rows)).toBe(
      ["METHODS  PATH  ENDPOINT     DECORATORS", "GET      /x    <anonymous>  -"].join("\n"),
    );
  });
});

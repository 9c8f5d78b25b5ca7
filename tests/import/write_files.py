#!/usr/bin/python3
"""Writes the plain files reel's import tests read: PNG and JPEG by Pillow, PLY point clouds
(ascii, binary little- and big-endian), OBJ, binary STL and GLB meshes and text files laid
out by hand from their format descriptions, in OUT_DIR/files (with a nested folder).
Nothing here comes from reel.

Usage: /usr/bin/python3 write_files.py OUT_DIR

OUT_DIR/files.json lists per file its path relative to OUT_DIR/files, the importer kind, the
media type and, for PLY, the vertices as written.
"""
import json
import os
import struct
import sys

from PIL import Image


def ply(path, fmt, vertices):
    """vertices: (x, y, z, red, green, blue, intensity) with uchar colors, float intensity;
    a face element after the vertices, as mesh writers leave it."""
    header = ["ply", "format %s 1.0" % fmt, "comment written by write_files.py",
              "element vertex %d" % len(vertices), "property float x", "property float y",
              "property float z", "property uchar red", "property uchar green",
              "property uchar blue", "property float intensity", "element face 1",
              "property list uchar int vertex_indices", "end_header"]
    with open(path, "wb") as f:
        f.write(("\n".join(header) + "\n").encode())
        for v in vertices:
            if fmt == "ascii":
                f.write(("%r %r %r %d %d %d %r\n" % v).encode())
            else:
                e = "<" if fmt == "binary_little_endian" else ">"
                f.write(struct.pack(e + "fffBBBf", *v))
        if fmt == "ascii":
            f.write(b"3 0 1 2\n")
        else:
            e = "<" if fmt == "binary_little_endian" else ">"
            f.write(struct.pack(e + "Biii", 3, 0, 1, 2))


def stl(path):
    with open(path, "wb") as f:
        f.write(b"binary stl by write_files.py".ljust(80, b" "))
        f.write(struct.pack("<I", 1))
        f.write(struct.pack("<12fH", 0, 0, 1, 0, 0, 0, 1, 0, 0, 0, 1, 0, 0))


def glb(path):
    doc = json.dumps({"asset": {"version": "2.0"}, "scenes": [{"nodes": []}], "scene": 0}).encode()
    doc += b" " * (-len(doc) % 4)
    with open(path, "wb") as f:
        f.write(b"glTF" + struct.pack("<II", 2, 12 + 8 + len(doc)))
        f.write(struct.pack("<I", len(doc)) + b"JSON" + doc)


def main():
    out = os.path.join(sys.argv[1], "files")
    os.makedirs(os.path.join(out, "nested"), exist_ok=True)
    listed = []
    img = Image.new("RGB", (5, 3))
    img.putdata([((x * 50) % 256, (y * 80) % 256, 128) for y in range(3) for x in range(5)])
    img.save(os.path.join(out, "photo.png"))
    img.save(os.path.join(out, "nested", "photo.jpg"), quality=90)
    listed += [{"path": "photo.png", "kind": "image", "media_type": "image/png"},
               {"path": "nested/photo.jpg", "kind": "image", "media_type": "image/jpeg"}]
    vertices = [(0.5 * k, -1.25 * k, 2.0 + k, 10 * k, 255 - k, 7, 0.75 * k) for k in range(6)]
    for name, fmt in [("cloud_ascii.ply", "ascii"), ("cloud_le.ply", "binary_little_endian"),
                      ("cloud_be.ply", "binary_big_endian")]:
        ply(os.path.join(out, name), fmt, vertices)
        listed.append({"path": name, "kind": "ply", "vertices": vertices})
    with open(os.path.join(out, "mesh.obj"), "w") as f:
        f.write("# written by write_files.py\nv 0 0 0\nv 1 0 0\nv 0 1 0\nf 1 2 3\n")
    stl(os.path.join(out, "mesh.stl"))
    glb(os.path.join(out, "nested", "scene.glb"))
    listed += [{"path": "mesh.obj", "kind": "mesh", "media_type": "model/obj"},
               {"path": "mesh.stl", "kind": "mesh", "media_type": "model/stl"},
               {"path": "nested/scene.glb", "kind": "mesh", "media_type": "model/gltf-binary"}]
    with open(os.path.join(out, "notes.md"), "w", encoding="utf-8") as f:
        f.write("# Run 42\n\nThe robot *stopped* at the dock. Ünïcödé ok.\n")
    with open(os.path.join(out, "nested", "readme.txt"), "w", encoding="utf-8") as f:
        f.write("plain text\nsecond line\n")
    listed += [{"path": "notes.md", "kind": "text", "media_type": "text/markdown"},
               {"path": "nested/readme.txt", "kind": "text", "media_type": "text/plain"}]
    with open(os.path.join(out, "ignored.json"), "w") as f:
        f.write("{}")
    with open(os.path.join(sys.argv[1], "files.json"), "w") as f:
        json.dump({"files": listed}, f)
    print("write_files.py: wrote %d files to %s" % (len(listed), out))


if __name__ == "__main__":
    main()

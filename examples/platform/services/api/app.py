"""Orders API."""
import os

from flask import Flask, jsonify

app = Flask(__name__)
DATABASE_URL = os.environ["DATABASE_URL"]
API_KEY = os.getenv("ORDERS_API_KEY")


@app.get("/healthz")
def healthz():
    return jsonify(status="ok")
